"""Shared kernel: identifiers, crypto, audit log, events/outbox, errors, pagination."""
