"""Settings of the ``tongban worker`` processes the reliability tests start: the test
settings, with email appended to a mailbox file that the test reads, and the exchange log
batch closed hourly so that the only periodic work during a test is the work it set up."""

from tongban.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.reliability.mailbox.JsonLinesBackend"
TONGBAN_EXCHANGE_BATCH_SECONDS = 3600
