"""Authoring tools: import Markdown incidents, draw a scenario's graph, scaffold a new one.

The modules here read the project's content (``scenarios/``, ``course/``) and write new files;
nothing in the replay itself depends on them.
"""
