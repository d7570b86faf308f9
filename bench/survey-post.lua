-- survey-post.lua — wrk script: POST generated survey responses (bench/survey.sh).
-- BODIES names a file of responses, one JSON document a line, made by
-- `build/test_survey_seed --emit` (each checked by survey_response_check
-- before it is written); SLUG the survey. Every request gets a fresh UUID
-- (run nonce, thread, counter — decimal digits are hex digits too), so each
-- one is a new response, never an idempotent resend.
local bodies = {}
local n = 0
local thread_no = 0
local nonce = 0
local path
local started = 0 -- threads set up (in the main state)

function setup(thread)
  started = started + 1
  thread:set("tid", tostring(started))
end

function init(args)
  local f = assert(io.open(os.getenv("BODIES") or "bodies.ndjson"))
  for line in f:lines() do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  f:close()
  thread_no = tonumber(tid) or 1
  nonce = tonumber(os.getenv("NONCE") or "0") % 100000000
  n = thread_no * 7919
  path = "/api/v1/surveys/" .. (os.getenv("SLUG") or "bench-survey") .. "/responses"
end

function request()
  n = n + 1
  local id = string.format("%08d-%04d-4000-8000-%012d", nonce, thread_no, n)
  local body = bodies[(n % #bodies) + 1]:gsub('"id":"[^"]*"', '"id":"' .. id .. '"', 1)
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, body)
end
