"""Placeholder, replaced by the page itself."""

import streamlit as st

st.title("Data")
