"""The operator catalogue: every operator class of the installed Airflow providers, described so the
canvas palette can offer it and the validator can check nodes that use it."""
