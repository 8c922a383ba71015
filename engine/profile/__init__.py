"""The client profile: YAML read with positions, the validated model, located messages, and the
shared vendor register."""
