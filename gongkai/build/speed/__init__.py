"""The speed devices, behind one interface."""
