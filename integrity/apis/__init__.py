"""The integrity REST API under /api/v1/ (issue §9). One module per concern; every view is thin:
input serializer -> scoped queryset -> service -> output serializer (STYLE.md)."""
