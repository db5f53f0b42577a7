"""Load from a second process: ``wrk`` (Debian's package) with a Lua script, bounded in time
(``-d``) and in count (each thread stops after its share of ``max_requests``).

The script cycles through real keys, one request body (or header) per key, counts answers
that are not HTTP 200, and prints one JSON line of figures when it is done.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
LUA = """
local requests = {}
counter, count, failures = 0, 0, 0
local max_per_thread = %(max_per_thread)d
local bodies = {%(bodies)s}
local header = "%(header)s"
local in_header = %(in_header)s
local path = "%(path)s"

init = function(args)
  for i, value in ipairs(bodies) do
    local headers = {["Content-Type"] = "application/json", ["Host"] = "127.0.0.1"}
    local body = nil
    if in_header then
      headers["Authorization"] = "Api-Key " .. value
      body = "{}"
    else
      headers["Authorization"] = header
      body = '{"key": "' .. value .. '"}'
    end
    requests[i] = wrk.format("POST", path, headers, body)
  end
end

request = function()
  counter = counter + 1
  return requests[(counter %% #requests) + 1]
end

response = function(status, headers, body)
  count = count + 1
  if status ~= 200 then failures = failures + 1 end
  if count >= max_per_thread then wrk.thread:stop() end
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do failed = failed + thread:get("failures") end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "seconds": %%f, "p50_us": %%d, "p99_us": %%d, ' ..
    '"non200": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
    failed, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    non200: int
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (Debian's package).")
    return found


def run(
    base_url: str,
    path: str,
    *,
    values: list[str],
    authorization: str = "",
    in_header: bool = False,
    connections: int,
    seconds: int,
    max_requests: int,
) -> Load:
    """One bounded wrk run against ``base_url + path``; figures from the script's JSON line."""
    threads = min(THREADS, connections)
    script = LUA % {
        "max_per_thread": max(1, max_requests // threads),
        "bodies": ", ".join(json.dumps(value) for value in values),
        "header": authorization,
        "in_header": "true" if in_header else "false",
        "path": path,
    }
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "verify.lua"
        lua.write_text(script)
        argv = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
        argv += ["--timeout", "10s", "-s", str(lua), base_url]
        out = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    return Load(
        requests=data["requests"],
        seconds=data["seconds"],
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        non200=data["non200"],
        errors=data["errors"],
    )
