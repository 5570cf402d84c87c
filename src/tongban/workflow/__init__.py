"""Workflow (流程引擎): BPMN process registry, SpiffWorkflow adapter, task inbox, timers."""
