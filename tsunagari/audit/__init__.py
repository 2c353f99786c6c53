"""The audit log (issue 5 §7): `record(...)` from every action a coordinator or administrator takes."""
