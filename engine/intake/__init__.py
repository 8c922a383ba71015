"""The way in: the profile vocabulary in French, ``iapme init``, the JSON Schema and the SME
questionnaire out and back in."""
