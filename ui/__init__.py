"""Streamlit-side helpers shared by the pages: data access with caching, the
shared filters, chart builders and plain-language summaries."""
