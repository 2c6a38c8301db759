"""Character definitions (CDL), prompt assembly and character learning."""
