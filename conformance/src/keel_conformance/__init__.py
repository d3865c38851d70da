"""Keel fleet conformance: repo-review checks for services generated from the Keel template."""
