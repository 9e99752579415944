"""The plan: the guide's steps that fit one applicant, its red flags, timeline and JSON contract."""
