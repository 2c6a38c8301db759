"""Cross-file resolution: the module index, the static evaluator, and what each string,
class and call of the repository refers to once every file's facts are known."""
