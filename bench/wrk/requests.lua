-- Cycles through the requests listed in the file WRK_REQUESTS, one per line:
-- METHOD <tab> PATH [<tab> BODY]. WRK_HEADERS adds headers ("Name: value" lines separated
-- by "\n"), e.g. a form's content type and cookie. Each thread starts at its own offset.
local report = require("report")

local requests = {}
local thread_count = 0

local function split(line)
  local fields = {}
  for item in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = item
  end
  return fields
end

local function headers()
  local found = {}
  for line in (os.getenv("WRK_HEADERS") or ""):gmatch("[^\n]+") do
    local name, value = line:match("^([^:]+):%s*(.*)$")
    if name then
      found[name] = value
    end
  end
  return found
end

function setup(thread)
  thread:set("offset", thread_count * 7919)
  thread_count = thread_count + 1
end

function init(args)
  local extra = headers()
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    local fields = split(line)
    local body = fields[3] ~= "" and fields[3] or nil
    requests[#requests + 1] = wrk.format(fields[1], fields[2], extra, body)
  end
  counter = offset or 0
end

function request()
  counter = counter + 1
  return requests[counter % #requests + 1]
end

done = report.done
