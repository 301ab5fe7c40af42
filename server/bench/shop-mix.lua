-- `make bench`'s shop mix: every wrk thread is one signed-in shopper with one
-- connection (run with -tN -cN), cycling through 21 requests: browse 10, product
-- detail 5, add to cart 2, view cart 3, checkout 1. A thread's requests and
-- answers strictly alternate, so each answer is timed against its own request
-- (clock.lua, put in front as make-bench does, reads the monotonic clock) and
-- kept per kind.
--
-- Reads, from the files named in the environment:
--   MIX_TOKENS    one bearer token per line (a shopper per thread)
--   MIX_PRODUCTS  one product id per line (stocked for the whole run)
--   MIX_PAGE      the catalogue page path to browse
-- Prints "MIX <kind> <requests/s> <p50 ms> <p99 ms> <failed>" per kind, then
-- report.lua's RESULT line for the whole mix (report.lua appended, as make-bench does).
local cycle = { "browse", "detail", "browse", "add", "cart", "browse", "detail", "browse", "cart", "browse",
                "add", "detail", "browse", "cart", "browse", "detail", "browse", "browse", "detail", "browse", "checkout" }
local kinds = { "browse", "detail", "add", "cart", "checkout" }

local threads = {}
local tokens = lines(os.getenv("MIX_TOKENS"))
function setup(thread)
  table.insert(threads, thread)
  thread:set("token", tokens[#threads])
  thread:set("index", #threads)
end

-- Per kind, the thread's timings as one comma-separated string and its failures,
-- in globals named "<kind>_times" and "<kind>_failed": what `done` can read back
-- from a thread is strings and numbers, not tables.
local products, page, step, sent, kind
function init(args)
  products = lines(os.getenv("MIX_PRODUCTS"))
  page = os.getenv("MIX_PAGE")
  -- Threads start at different places in the first half of the cycle, so the
  -- second "add" always comes before a thread's first checkout.
  step = (index - 1) % 11 - 1
  for _, k in ipairs(kinds) do _G[k .. "_times"] = ""; _G[k .. "_failed"] = 0 end
end

local json = { ["Content-Type"] = "application/json" }
function request()
  step = step + 1
  kind = cycle[(step % #cycle) + 1]
  local product = products[(step % #products) + 1]
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local r
  if kind == "browse" then
    r = wrk.format("GET", page)
  elseif kind == "detail" then
    r = wrk.format("GET", "/api/products/" .. product, headers)
  elseif kind == "add" then
    r = wrk.format("POST", "/api/orders/cart/add", headers, '{"productId":"' .. product .. '","quantity":1}')
  elseif kind == "cart" then
    r = wrk.format("GET", "/api/orders/cart", headers)
  else
    r = wrk.format("POST", "/api/checkout", headers,
      '{"shippingAddress":{"street":"1 Bench Rd","city":"Gent","zip":"9000","country":"Belgium"},"paymentMethod":"tok_visa"}')
  end
  sent = now_ms()
  return r
end

function response(status, headers, body)
  local name = kind .. "_times"
  _G[name] = _G[name] .. string.format("%.3f,", now_ms() - sent)
  if status >= 300 then
    _G[kind .. "_failed"] = _G[kind .. "_failed"] + 1
    if _G[kind .. "_failed"] == 1 then io.stderr:write("shop mix: first failed " .. kind .. " (" .. status .. "): " .. body:sub(1, 300) .. "\n") end
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  for _, k in ipairs(kinds) do
    local all, bad = {}, 0
    for _, thread in ipairs(threads) do
      for t in string.gmatch(thread:get(k .. "_times"), "([^,]+)") do all[#all + 1] = tonumber(t) end
      bad = bad + thread:get(k .. "_failed")
    end
    table.sort(all)
    local function pct(p) if #all == 0 then return 0 end return all[math.max(1, math.ceil(#all * p))] end
    io.write(string.format("MIX %s %.1f %.2f %.2f %d\n", k, #all / seconds, pct(0.5), pct(0.99), bad))
  end
  report(summary, latency, requests)
end
