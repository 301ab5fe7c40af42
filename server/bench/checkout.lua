-- The checkout load of server/bench/checkout.sh: every wrk thread is one
-- signed-in shopper with one connection (run with -tN -cN). A shopper adds one
-- unit each of one to three of the bench products (chosen at random), then
-- checks out with tok_visa, and again. A thread's requests and answers strictly
-- alternate, so each checkout is timed against its own request (clock.lua,
-- put in front of this script by checkout.sh, reads the monotonic clock).
--
-- Reads, from the files named in the environment:
--   CHECKOUT_TOKENS    one bearer token per line (a shopper per thread)
--   CHECKOUT_PRODUCTS  one product id per line
--   CHECKOUT_WARMUP    seconds of untimed shopping first (default 3)
--   CHECKOUT_SECONDS   seconds of timed shopping (default 10); after them the
--                      shoppers only read /health until wrk stops, so every
--                      checkout begun is answered and counted before then
-- Prints, for checkout.py's report:
--   TIMED <checkouts> <seconds> <p50 ms> <p99 ms>
--   FAILED <kind> <status> <count>          per kind and status that failed
--   FAILED socket <error> <count>           connect, read, write and timeout errors
--   SOLD <product id> <units>               units in checkouts answered 200
local threads = {}
local tokens = lines(os.getenv("CHECKOUT_TOKENS"))
-- One clock for all threads: the timed part starts at the same moment everywhere.
-- Globals, not locals: every thread runs this chunk too, then `setup` (run in the
-- main state) hands each thread the main state's values in place of its own.
timed_from = now_ms() + 1000 * tonumber(os.getenv("CHECKOUT_WARMUP") or "3")
timed_until = timed_from + 1000 * tonumber(os.getenv("CHECKOUT_SECONDS") or "10")
function setup(thread)
  table.insert(threads, thread)
  thread:set("token", tokens[#threads])
  thread:set("index", #threads)
  thread:set("timed_from", timed_from)
  thread:set("timed_until", timed_until)
end

-- What `done` reads back from a thread is strings and numbers, not tables:
-- timings as one comma-separated string, counts as one "key=n;..." string.
local products, plan, checkout_due, pending, counts, kind, sent, last_product
function init(args)
  products = lines(os.getenv("CHECKOUT_PRODUCTS"))
  math.randomseed(index * 7919 + os.time())
  plan, checkout_due, pending, counts = {}, false, {}, {}
  times, tally = "", ""
end

local function plan_cycle()
  -- A random one to three of the products, each once.
  local pool = {}
  for i = 1, #products do pool[i] = products[i] end
  for i = #pool, 2, -1 do local j = math.random(i); pool[i], pool[j] = pool[j], pool[i] end
  plan = {}
  for i = 1, math.random(1, math.min(3, #pool)) do plan[i] = pool[i] end
  checkout_due = true
end

-- request() only reads the plan and response() moves it on: wrk calls request()
-- once on the first thread to check the script and throws that request away.
local body = '{"shippingAddress":{"street":"1 Bench Rd","city":"Gent","zip":"9000","country":"Belgium"},"paymentMethod":"tok_visa"}'
function request()
  if now_ms() >= timed_until and #plan == 0 and not checkout_due then
    kind = "drain"
    return wrk.format("GET", "/health")
  end
  if #plan == 0 and not checkout_due then plan_cycle() end
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  local r
  if #plan > 0 then
    kind = "add"
    last_product = plan[1]
    r = wrk.format("POST", "/api/orders/cart/add", headers, '{"productId":"' .. last_product .. '","quantity":1}')
  else
    kind = "checkout"
    r = wrk.format("POST", "/api/checkout", headers, body)
  end
  sent = now_ms()
  return r
end

local function add(key, n)
  counts[key] = (counts[key] or 0) + n
  local parts = {}
  for k, v in pairs(counts) do parts[#parts + 1] = k .. "=" .. v end
  tally = table.concat(parts, ";")
end

function response(status, headers, body)
  local at = now_ms()
  if kind == "drain" then return end
  if kind == "add" then
    table.remove(plan, 1)
    if status == 200 then
      pending[last_product] = (pending[last_product] or 0) + 1
    else
      add("F add " .. status, 1)
    end
    return
  end
  checkout_due = false
  if status == 200 then
    -- The whole cart went into the order.
    for product, units in pairs(pending) do add("S " .. product, units) end
    pending = {}
    if sent >= timed_from and sent < timed_until then
      times = times .. string.format("%.3f,", at - sent)
    end
  else
    -- A failed checkout leaves (or puts back) the items in the cart.
    add("F checkout " .. status, 1)
    if counts["F checkout " .. status] == 1 then
      io.stderr:write("checkout: first failure (" .. status .. "): " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local all, sold, failed = {}, {}, {}
  for _, thread in ipairs(threads) do
    for t in string.gmatch(thread:get("times") or "", "([^,]+)") do all[#all + 1] = tonumber(t) end
    for key, n in string.gmatch(thread:get("tally") or "", "([^=;]+)=(%d+)") do
      local what, rest = key:match("^(%a) (.+)$")
      local into = what == "S" and sold or failed
      into[rest] = (into[rest] or 0) + tonumber(n)
    end
  end
  table.sort(all)
  local function pct(p) if #all == 0 then return 0 end return all[math.max(1, math.ceil(#all * p))] end
  local seconds = (timed_until - timed_from) / 1000
  io.write(string.format("TIMED %d %.2f %.1f %.1f\n", #all, seconds, pct(0.5), pct(0.99)))
  for key, n in pairs(failed) do io.write(string.format("FAILED %s %d\n", key, n)) end
  local e = summary.errors
  for _, name in ipairs({ "connect", "read", "write", "timeout" }) do
    if e[name] > 0 then io.write(string.format("FAILED socket %s %d\n", name, e[name])) end
  end
  for product, n in pairs(sold) do io.write(string.format("SOLD %s %d\n", product, n)) end
end
