"""Gongkai: the content model, validator and message catalogue shared by the
Pelican plugins and the command-line scripts."""
