"""No signed URL's token reaches a log line."""

from __future__ import annotations

import logging

import pytest

from functions._shared.logs import install_redaction

URL = "http://127.0.0.1:54321/storage/v1/object/sign/evidence/quote/x/input/a.json?token=eyJ.secret.sig"


@pytest.mark.parametrize("name", ["kis.functions", "uvicorn.error", "uvicorn.access"])
def test_tokens_in_messages_and_tracebacks_are_redacted(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction()
    log = logging.getLogger(name)
    with caplog.at_level(logging.INFO, logger=name):
        log.warning("fetching %s failed", URL)
        try:
            raise RuntimeError(f"upload to {URL} refused")
        except RuntimeError:
            log.exception("storage error")
    assert "eyJ.secret.sig" not in caplog.text
    assert "token=[redacted]" in caplog.text
    assert "/storage/v1/object/sign/evidence/quote/x/input/a.json" in caplog.text
