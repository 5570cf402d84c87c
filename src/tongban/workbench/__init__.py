"""Staff pages (工作台): thin views over services and selectors."""
