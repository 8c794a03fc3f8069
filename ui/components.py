"""Small render helpers the pages compose."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.snapshot import csv_bytes


def download_csv(frame: pd.DataFrame, file_name: str, *, label: str = "Download the data (CSV)") -> None:
    """A download of exactly ``frame``, written by the contract's CSV rules."""
    st.download_button(label, data=csv_bytes(frame), file_name=file_name, mime="text/csv", key=f"download_{file_name}", icon=":material/download:")


def chart_with_data(figure: go.Figure, frame: pd.DataFrame, file_name: str) -> None:
    """A chart and, under it, the download of the data behind it."""
    st.plotly_chart(figure, config={"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}})
    download_csv(frame, file_name)
