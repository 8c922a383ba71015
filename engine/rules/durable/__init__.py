"""The one adapter to durable_rules: translation, fact encoding, read sets, capacity and the
split into rulesets, evaluation and the lint probe. Nothing else imports durable."""
