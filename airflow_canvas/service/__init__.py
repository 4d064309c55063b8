"""The service layer: what a change to a stored workflow *does*, once, for every caller.

Save (create, new version, branch saves), rollback, merge, deploy and undeploy live here with the
audit row each one writes, as plain functions taking a session, the acting user (anything with
``get_name()``: an Airflow user or the CLI's actor) and validated input. They return domain results
and raise domain errors (``service/errors.py``); they know nothing of HTTP. The API's routes
(``plugin/routes``) parse, authorize and map errors to responses; the CLI calls the same functions,
so a save or deploy is recorded the same way whichever door it came through.

Authorization stays with the caller, but its order is kept: functions that change code take an
``authorize(before, after)`` callback run after the change is known and before anything is written.
"""
