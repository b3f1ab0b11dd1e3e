"""Failures the build reports to staff as they are: their message is one Chinese line already."""


class StaffError(RuntimeError):
    """An error whose text is for staff (the build prints it without Python's class name)."""
