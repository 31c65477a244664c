"""The evidence of one record: GET /proof/{post_id} downloads its proof ("Bewijs", the file
``archiveren proof`` writes: the record, its inclusion path, the root and the timestamp tokens),
checked by ``archiveren verify-proof`` without the archive. Every download goes into the audit
log; a record whose WARC file has no timestamp yet gets a page saying so (409)."""

from __future__ import annotations

import json
import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from evidence.proof import build_proof
from foundation.errors import EvidenceError
from search_ui.auth import User, require
from search_ui.rendering import render
from search_ui.views_record import load_post

router = APIRouter()


def proof_file_name(post_id: str) -> str:
    return "bewijs-" + re.sub(r"[^A-Za-z0-9._-]", "-", post_id)[:120] + ".json"


@router.get("/proof/{post_id:path}", include_in_schema=False)
def proof_download(
    request: Request, post_id: str, user: Annotated[User, Depends(require("archivist"))]
) -> Response:
    ws = request.app.state.ws
    post = load_post(ws, post_id)
    try:
        if post.capture is None:
            raise EvidenceError(f"Post {post.id} has no capture record to prove")
        proof = build_proof(
            ws.archive_dir,
            post.capture,
            ws.config(check_secrets=False).evidence,
            post_id=post.id,
            config_dir=ws.config_path.parent,
        )
    except EvidenceError as exc:
        return render(
            request,
            "error.html",
            {"title_key": "evidence.no_proof", "message": str(exc)},
            status_code=409,
        )
    ws.catalogue().audit(user.username, "proof_download", post_id=post.id)
    return Response(
        json.dumps(proof, indent=2, ensure_ascii=False) + "\n",
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{proof_file_name(post.id)}"',
            "Cache-Control": "no-store",
        },
    )
