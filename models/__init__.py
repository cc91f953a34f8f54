"""Model manifest and the code that fetches and verifies each artefact."""
