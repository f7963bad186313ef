"""One router per domain package; each is split by idea into small modules."""
