"""Excel pieces other screens embed: a download button for any export, and the รต.1 / forecast upload panels.

An upload panel downloads the form, takes the filled file back, shows the dry run (rows added,
changed and unchanged, each changed cell old → new, every problem with its row and column)
and saves only when the officer confirms, through the same services as the grid.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from db.engine import session_scope
from otop.entry import EntryConflict, EntryValidationError
from otop.exports import ExportFile, ExportRequest, ExportRequestError, build_export
from otop.fiscal import Period
from otop.imports import (
    ImportPreview,
    ImportRejected,
    apply_forecast_import,
    apply_rt1_import,
    preview_forecast_import,
    preview_rt1_import,
)
from otop.permissions import Action, Actor, PermissionDenied, allowed
from otop.status import EntryRefused
from pages.common import clear_cached_reads

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {"added": "เพิ่มแถวใหม่", "changed": "แก้ไข", "unchanged": "ไม่เปลี่ยน"}
_SAVE_ERRORS = (ImportRejected, EntryValidationError, EntryConflict, EntryRefused, PermissionDenied)


@st.cache_data(ttl=60, max_entries=32, show_spinner="กำลังสร้างไฟล์ Excel…")
def cached_export(_engine: Any, database: str, actor: Actor, request: ExportRequest) -> ExportFile:
    """The export of a request, kept a minute so that reruns of a page do not rebuild the workbook."""
    with session_scope(_engine) as session:
        return build_export(session=session, actor=actor, request=request)


def render_export_download(
    *, engine: Any, actor: Actor, request: ExportRequest, key: str, label: str = "ดาวน์โหลด Excel"
) -> ExportFile | None:
    """A download button for one export; shows the refusal instead when the actor may not have it."""
    try:
        export = cached_export(engine, str(engine.url), actor, request)
    except (PermissionDenied, ExportRequestError) as error:
        st.error(str(error))
        return None
    st.download_button(
        label,
        data=export.content,
        file_name=export.filename,
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=f"{key}_download",
    )
    return export


def render_targets_download(
    *, engine: Any, actor: Actor, province_code: str, fiscal_year_be: int, round_no: int, as_of: Period, key: str
) -> None:
    """The target table (enclosures 1 and 2) with actuals to ``as_of``, as the dashboard shows it, in Excel."""
    render_export_download(
        engine=engine,
        actor=actor,
        request=ExportRequest(
            "targets", province_code=province_code, fiscal_year_be=fiscal_year_be, round_no=round_no, period=as_of
        ),
        key=key,
        label="ดาวน์โหลดตารางเป้าหมาย (Excel)",
    )


def _preview_table(preview: ImportPreview) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "แถวในไฟล์": [row.sheet_row for row in preview.rows],
            "รายการ": [row.label for row in preview.rows],
            "ผลการตรวจ": [STATUS_LABELS[row.status] for row in preview.rows],
            "ค่าเดิม → ค่าใหม่": ["; ".join(change.text for change in row.changes) for row in preview.rows],
        }
    )


def _show_preview(preview: ImportPreview, key: str) -> None:
    counts = st.columns(4)
    counts[0].metric("แถวใหม่", f"{preview.count('added'):,}", border=True)
    counts[1].metric("แถวที่แก้ไข", f"{preview.count('changed'):,}", border=True)
    counts[2].metric("แถวที่ไม่เปลี่ยน", f"{preview.count('unchanged'):,}", border=True)
    counts[3].metric("ปัญหาที่พบ", f"{len(preview.problems):,}", border=True)
    if preview.problems:
        st.error(
            "ยังนำเข้าไม่ได้ ไม่มีข้อมูลใดถูกบันทึก กรุณาแก้ไขในไฟล์แล้วอัปโหลดใหม่:\n\n"
            + "\n".join(f"- {problem}" for problem in preview.problems),
            icon=":material/error:",
        )
    if preview.untouched:
        st.caption(f"แถวในระบบ {preview.untouched:,} แถวไม่มีในไฟล์: คงค่าเดิมไว้ ไม่ถูกลบ")
    shown = _preview_table(preview)
    only_changes = st.toggle("แสดงเฉพาะแถวที่เพิ่มหรือแก้ไข", value=True, key=f"{key}_only_changes")
    if only_changes:
        shown = shown[shown["ผลการตรวจ"] != STATUS_LABELS["unchanged"]]
    if shown.empty:
        # An empty table would only say "empty", in English.
        st.caption("ไม่มีแถวที่เพิ่มหรือแก้ไข")
    else:
        st.dataframe(shown, hide_index=True, key=f"{key}_table")


def _upload_panel(
    *,
    key: str,
    form_name: str,
    preview_of: Callable[[bytes], ImportPreview],
    apply: Callable[[bytes, int], str],
) -> None:
    """Upload → dry run → confirm; the uploader is renewed after a save so the same file is not shown again."""
    round_key = f"{key}_round"
    flash_key = f"{key}_flash"
    flash = st.session_state.pop(flash_key, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    upload = st.file_uploader(
        f"อัปโหลดไฟล์{form_name} ที่กรอกแล้ว (.xlsx)",
        type=["xlsx"],
        key=f"{key}_file_{st.session_state.get(round_key, 0)}",
        help="ใช้ไฟล์ที่ดาวน์โหลดจากปุ่มด้านบน กรอกยอดแล้วบันทึก ระบบจะตรวจสอบและแสดงผลก่อน ยังไม่บันทึกจนกว่าจะกดยืนยัน",
    )
    if upload is None:
        return
    content = upload.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    cache_key = f"{key}_preview"
    cached = st.session_state.get(cache_key)
    if cached is None or cached[0] != digest:
        try:
            cached = (digest, preview_of(content))
        except (ImportRejected, PermissionDenied) as error:
            problems = error.problems if isinstance(error, ImportRejected) else [str(error)]
            st.error("อ่านไฟล์ไม่ได้:\n\n" + "\n".join(f"- {problem}" for problem in problems), icon=":material/error:")
            return
        st.session_state[cache_key] = cached
    preview: ImportPreview = cached[1]
    st.markdown(f"**ผลการตรวจสอบไฟล์ (ยังไม่บันทึก):** {preview.summary}")
    _show_preview(preview, key)
    if not preview.ok:
        return
    if st.button("ยืนยันนำเข้าและบันทึก", type="primary", icon=":material/upload:", key=f"{key}_confirm"):
        try:
            message = apply(content, preview.base_version)
        except _SAVE_ERRORS as error:
            problems = getattr(error, "problems", None) or [str(error)]
            st.error("บันทึกไม่ได้ ไม่มีข้อมูลใดถูกบันทึก:\n\n" + "\n".join(f"- {p}" for p in problems))
            st.session_state.pop(cache_key, None)
            return
        clear_cached_reads()
        st.session_state.pop(cache_key, None)
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        st.session_state[flash_key] = f"นำเข้าไฟล์{form_name} แล้ว: {message}"
        st.rerun()


def render_rt1_panel(
    *, engine: Any, actor: Actor, district_code: str, period: Period, key: str = "entry_excel"
) -> None:
    """The entry page's Excel panel: download form รต.1 of the month, and upload it back filled."""
    with st.expander("Excel: ดาวน์โหลดแบบ รต.1 / นำเข้าไฟล์ที่กรอกแล้ว", icon=":material/table_view:"):
        render_export_download(
            engine=engine,
            actor=actor,
            request=ExportRequest("rt1", district_code=district_code, period=period),
            key=key,
            label="ดาวน์โหลดแบบ รต.1 (Excel)",
        )
        if not allowed(actor, Action.WRITE_FIGURES, district_code=district_code):
            return
        st.caption(
            "กรอกยอดในไฟล์ได้ทั้งตัวเลขมีจุลภาค เลขไทย หรือเว้นว่าง (= 0) ย้ายลำดับแถวได้ อย่าแก้รหัสผู้ผลิต "
            "เพิ่มประเภทผลิตภัณฑ์ของผู้ผลิตได้โดยคัดลอกแถวแล้วทำเครื่องหมายประเภทใหม่"
        )

        def preview_of(content: bytes) -> ImportPreview:
            with session_scope(engine, write=True) as session:
                return preview_rt1_import(
                    session=session, actor=actor, district_code=district_code, period=period, content=content
                )

        def apply(content: bytes, base_version: int) -> str:
            with session_scope(engine, write=True) as session:
                return apply_rt1_import(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    period=period,
                    content=content,
                    base_version=base_version,
                ).message

        _upload_panel(
            key=f"{key}_{district_code}_{period.code}", form_name="แบบ รต.1", preview_of=preview_of, apply=apply
        )


def render_forecast_panel(
    *, engine: Any, actor: Actor, district_code: str, fiscal_year_be: int, key: str = "forecast_excel"
) -> None:
    """The forecast page's Excel panel: download the forecast form, and upload it back filled."""
    with st.expander("Excel: ดาวน์โหลดแบบประมาณการ / นำเข้าไฟล์ที่กรอกแล้ว", icon=":material/table_view:"):
        render_export_download(
            engine=engine,
            actor=actor,
            request=ExportRequest("forecast", district_code=district_code, fiscal_year_be=fiscal_year_be),
            key=key,
            label="ดาวน์โหลดแบบประมาณการรายได้ (Excel)",
        )
        if not allowed(actor, Action.WRITE_FIGURES, district_code=district_code):
            return

        def preview_of(content: bytes) -> ImportPreview:
            with session_scope(engine, write=True) as session:
                return preview_forecast_import(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    fiscal_year_be=fiscal_year_be,
                    content=content,
                )

        def apply(content: bytes, base_version: int) -> str:
            with session_scope(engine, write=True) as session:
                return apply_forecast_import(
                    session=session,
                    actor=actor,
                    district_code=district_code,
                    fiscal_year_be=fiscal_year_be,
                    content=content,
                    base_version=base_version,
                ).message

        _upload_panel(
            key=f"{key}_{district_code}_{fiscal_year_be}",
            form_name="แบบประมาณการรายได้",
            preview_of=preview_of,
            apply=apply,
        )
