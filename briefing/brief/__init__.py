"""The brief: markdown and json exports of chosen stories."""
