"""The pump controller firmware: states, programs, reservoir, alarms, supervision, and the facade."""
