"""What the command-line scripts do, importable and testable; scripts/ are thin wrappers."""
