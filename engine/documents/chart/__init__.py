"""The guide's priority matrix (ROI against complexity) drawn as a PNG."""
