-- budget-vote.lua — wrk script: open ballots (bench/budget.sh). Every
-- request is another browser (a fresh vaikuta_browser cookie: run nonce,
-- thread, counter), so each one is a new ballot, never "ballot_exists".
-- BODY is the ballot, SLUG the round.
local n = 0
local thread_no = 0
local nonce = 0
local started = 0
local path, body

function setup(thread)
  started = started + 1
  thread:set("tid", tostring(started))
end

function init(args)
  thread_no = tonumber(tid) or 1
  nonce = tonumber(os.getenv("NONCE") or "0") % 100000000
  path = "/api/v1/budget/rounds/" .. (os.getenv("SLUG") or "bench-round") .. "/ballots"
  body = os.getenv("BODY")
end

function request()
  n = n + 1
  local cookie = string.format("vaikuta_browser=%016x%016d%016d%016d", 0, nonce, thread_no, n)
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Cookie"] = cookie}, body)
end
