-- Complete submissions through the API, one application at a time per connection: create
-- the draft with its form (with an Idempotency-Key), upload every required material
-- (multipart, unique content so that nothing is deduplicated), submit; then the next one.
-- Run with as many threads as connections (-t N -c N): each thread then owns one
-- connection, so its Lua state is one applicant's session (wrk does not tell a script
-- which connection a response arrived on).
--
-- Inputs (files named by environment variables): WRK_TOKENS (bearer tokens, one a line;
-- thread i uses line i), WRK_CREATE_BODY (the JSON of POST /applications), WRK_MATERIALS
-- (the names of the required materials, one a line), WRK_PDF (the file uploaded), WRK_RUN
-- (unique per run: Idempotency-Keys of an earlier run would replay its cases).
local report = require("report")

local BOUNDARY = "tongban-bench-7d1f0c"
local threads = {}

local function read(path)
  local file = assert(io.open(path, "rb"))
  local content = file:read("*a")
  file:close()
  return content
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if line ~= "" then
      found[#found + 1] = line
    end
  end
  return found
end

function setup(thread)
  local tokens = lines(os.getenv("WRK_TOKENS"))
  thread:set("id", #threads)
  thread:set("token", tokens[#threads % #tokens + 1])
  threads[#threads + 1] = thread
end

function init(args)
  create_body = read(os.getenv("WRK_CREATE_BODY"))
  materials = lines(os.getenv("WRK_MATERIALS"))
  pdf = read(os.getenv("WRK_PDF"))
  run = os.getenv("WRK_RUN")
  json_headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  form_headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. BOUNDARY,
  }
  step, flows, submitted, failed, case_path = 0, 0, 0, 0, nil
end

local function multipart(name, unique)
  return table.concat({
    "--" .. BOUNDARY,
    'Content-Disposition: form-data; name="name"',
    "",
    name,
    "--" .. BOUNDARY,
    'Content-Disposition: form-data; name="file"; filename="material.pdf"',
    "Content-Type: application/pdf",
    "",
    pdf .. "\n%" .. unique .. "\n",
    "--" .. BOUNDARY .. "--",
    "",
  }, "\r\n")
end

function request()
  if step == 0 then
    json_headers["Idempotency-Key"] = "bench-" .. run .. "-" .. id .. "-" .. flows
    local created = wrk.format("POST", "/api/v1/applications", json_headers, create_body)
    json_headers["Idempotency-Key"] = nil
    return created
  end
  if step <= #materials then
    local unique = "bench-" .. id .. "-" .. flows .. "-" .. step
    local body = multipart(materials[step], unique)
    return wrk.format("POST", case_path .. "/materials", form_headers, body)
  end
  return wrk.format("POST", case_path .. "/submit", json_headers, nil)
end

local function restart(ok, status, body)
  if ok then
    submitted = submitted + 1
  else
    failed = failed + 1
    last_failure = "step " .. step .. ": " .. status .. " " .. body:sub(1, 300)
  end
  flows = flows + 1
  step = 0
end

function response(status, headers, body)
  if step == 0 then
    local case_id = status == 201 and body:match('"id":%s*(%d+)')
    if case_id then
      case_path = "/api/v1/applications/" .. case_id
      step = 1
    else
      restart(false, status, body)
    end
  elseif step <= #materials then
    if status == 201 then
      step = step + 1
    else
      restart(false, status, body)
    end
  else
    restart(status == 200, status, body)
  end
end

function done(summary, latency, requests)
  local submissions, failures = 0, 0
  for _, thread in ipairs(threads) do
    submissions = submissions + thread:get("submitted")
    failures = failures + thread:get("failed")
    local failure = thread:get("last_failure")
    if failure then
      io.write("WRK_NOTE ", (failure:gsub("\n", " ")), "\n")
    end
  end
  report.emit(summary, latency, { submissions = submissions, failures = failures })
end
