"""The SOP engine: permit-type definitions, steps, outcomes, working time. Pure Python."""
