"""One router per area; app.py includes every module listed in ROUTER_MODULES."""
