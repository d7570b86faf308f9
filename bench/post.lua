-- post.lua — wrk script: POST point feedback at points drawn around the
-- centres of the benchmark's 1000 boxes (all inside the municipality), and
-- count the answers by status. Used by bench/write.sh.
local centres = {}
local n = 0
local counts = {}

function init(args)
  local f = io.open(os.getenv("BOXES") or "bench/bboxes.lua")
  for x0, y0, x1, y1 in f:read("*a"):gmatch('"([%d.]+),([%d.]+),([%d.]+),([%d.]+)"') do
    centres[#centres + 1] = {(x0 + x1) / 2, (y0 + y1) / 2}
  end
  f:close()
  n = (tonumber(id) or 0) * 7919
  -- MAIL_CONTACT=1: every report gives an address, so each POST queues
  -- its receipt in the e-mail outbox (bench/mail.sh); 2: a name and a
  -- phone number, no address: the contact row without any mail.
  contact = os.getenv("MAIL_CONTACT") == "1"
  phone_only = os.getenv("MAIL_CONTACT") == "2"
end

function setup(thread)
  thread:set("id", tostring(math.random(1, 1000)))
end

function request()
  n = n + 1
  local c = centres[(n % #centres) + 1]
  local lon = c[1] + ((n * 37) % 100 - 50) * 0.00008
  local lat = c[2] + ((n * 53) % 100 - 50) * 0.00004
  local body = string.format(
    '{"type":"Feature","geometry":{"type":"Point","coordinates":[%.6f,%.6f]},' ..
    '"properties":{"category":"lighting","description":"Katuvalo ei pala (wrk %d)"%s}}', lon, lat, n,
    contact and string.format(',"contact":{"email":"r%d@example.org","language":"fi"}', n)
      or phone_only and string.format(',"contact":{"name":"R %d","phone":"040 %07d"}', n, n) or "")
  return wrk.format("POST", "/api/v1/feedback", {["Content-Type"] = "application/geo+json"}, body)
end
