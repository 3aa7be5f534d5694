"""Integrity write services: one function per action, `<entity>_<action>(*, ..., actor)`."""
