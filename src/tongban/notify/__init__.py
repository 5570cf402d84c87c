"""Notifications to users (消息通知): in-app inbox, e-mail, SMS behind a channel interface."""
