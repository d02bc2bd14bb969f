"""Baclofen pharmacokinetics and pharmacodynamics: parameters, exact kernel, population, envelopes."""
