"""Drafting an audit policy from an app's privacy policy and its APK; comparing a policy with an APK."""
