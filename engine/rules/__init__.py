"""The rule base: the rule file format, closed vocabularies, the engine-neutral condition tree,
the compiler to a rule program, lint, coverage checks and YAML rule test cases."""
