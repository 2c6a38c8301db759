"""Conversation history and long-term memory."""
