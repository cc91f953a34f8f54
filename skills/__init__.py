"""The built-in skills, one package each: climate, navigation, media and drive.

Each package holds its sentence templates (``templates.yaml``, data), its handler (a
:class:`cockpit.skill_api.Skill`) and any data the handler needs. Importing this package imports
no skill: :mod:`cockpit.skill_registry` builds them at the composition root.
"""
