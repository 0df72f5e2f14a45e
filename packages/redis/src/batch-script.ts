/**
 * The Lua scripts of the data layer: WRITE_SCRIPT applies one batch of write ops atomically
 * and at most once; LOAD_SESSION_SCRIPT reads one session in one atomic call.
 *
 * Design of WRITE_SCRIPT. ARGV: prefix, transaction id, transaction TTL (ms), then the ops,
 * each an op code followed by its arguments (counts before lists; binary-safe strings). It
 * first looks for `P tx:{id}`: if that key exists the batch was applied before (a resend by
 * ioredis after a reconnect) and the script returns the results stored there, changing
 * nothing. Else it applies the ops in order and stores their results (cjson) under the key
 * with PX TTL in the same atomic call. Every op validates everything it checks BEFORE its
 * first write and returns an error code instead of raising, so a rejected op changes
 * nothing and the ops after it still apply. The results hold one entry per op that has a
 * result (session writes: 0 or an error code; claimOwner; forgetNode), in op order; the
 * caller (batch.ts) pairs them with its result handlers in the same order. The key names
 * built here are those of keys.ts. Commands taking many arguments are called in chunks of
 * 1000 arguments, below Lua's unpack limit.
 *
 * Ops (R = has a result):
 *   S  clientId replace dequeue nSet (field value)* nDel field* routes
 *      [nRoutes (filter qos)* eventJson] nEnqueue message* nRemoveInflight id*
 *      nPutInflight (id entry)* nRemoveAwaiting id* nAddAwaiting id*            R (update only): 0|NF|IC
 *   D  clientId eventJson                    delete a session, its routes and its inbox
 *   RS topic message / RD topic              retained set / delete
 *   IP clientId message / IT clientId count  inbox push (+ notify the owner) / trim
 *   CO clientId nodeId                        claim ownership            R: previous|false
 *   RO clientId nodeId                        release ownership if held by nodeId
 *   NA nodeId filter / NR nodeId filter       node route add / remove (+ ev "n")
 *   WS nodeId clientId will / WD nodeId clientId   will set / clear
 *   NG nodeId                                 register a node
 *   NF nodeId                                 forget a node    R: {clientId, will, ...}
 */
export const WRITE_SCRIPT = `
local P = ARGV[1]
local txKey = P .. 'tx:' .. ARGV[2]
local done = redis.call('GET', txKey)
if done then return done end

local CHUNK = 1000
local i = 4
local results = {}
local notified = {}

local function nextArg()
  local value = ARGV[i]
  i = i + 1
  return value
end

local function nextCount()
  local value = tonumber(ARGV[i])
  i = i + 1
  return value
end

local function callChunked(command, key, from, length)
  local last = from + length - 1
  while from <= last do
    local upTo = math.min(from + CHUNK - 1, last)
    redis.call(command, key, unpack(ARGV, from, upTo))
    from = upTo + 1
  end
end

local function sessionWrite()
  local id = nextArg()
  local replace = nextArg() == '1'
  local dequeue = nextCount()
  local nSet = nextCount(); local setAt = i; i = i + 2 * nSet
  local nDel = nextCount(); local delAt = i; i = i + nDel
  local hasRoutes = nextArg() == '1'
  local nRoutes, routesAt, event = 0, 0, nil
  if hasRoutes then
    nRoutes = nextCount(); routesAt = i; i = i + 2 * nRoutes
    event = nextArg()
  end
  local nEnqueue = nextCount(); local enqueueAt = i; i = i + nEnqueue
  local nRemoveInflight = nextCount(); local removeInflightAt = i; i = i + nRemoveInflight
  local nPutInflight = nextCount(); local putInflightAt = i; i = i + 2 * nPutInflight
  local nRemoveAwaiting = nextCount(); local removeAwaitingAt = i; i = i + nRemoveAwaiting
  local nAddAwaiting = nextCount(); local addAwaitingAt = i; i = i + nAddAwaiting

  local record = P .. 's:' .. id
  local queue = P .. 'sq:' .. id
  local inflight = P .. 'si:' .. id
  local order = P .. 'so:' .. id
  local awaiting = P .. 'sa:' .. id
  if replace then
    redis.call('DEL', record, queue, inflight, order, awaiting)
    redis.call('SADD', P .. 'sessions', id)
  else
    if redis.call('EXISTS', record) == 0 then return 'NF' end
    if dequeue > 0 and dequeue > redis.call('LLEN', queue) then return 'IC' end
  end

  if nSet > 0 then callChunked('HSET', record, setAt, 2 * nSet) end
  if nDel > 0 then callChunked('HDEL', record, delAt, nDel) end
  if hasRoutes then
    local routes = P .. 'r:p:' .. id
    redis.call('DEL', routes)
    if nRoutes > 0 then
      callChunked('HSET', routes, routesAt, 2 * nRoutes)
      redis.call('SADD', P .. 'r:pc', id)
    else
      redis.call('SREM', P .. 'r:pc', id)
    end
  end
  if dequeue > 0 then redis.call('LTRIM', queue, dequeue, -1) end
  if nEnqueue > 0 then callChunked('RPUSH', queue, enqueueAt, nEnqueue) end
  for k = removeInflightAt, removeInflightAt + nRemoveInflight - 1 do
    if redis.call('HDEL', inflight, ARGV[k]) == 1 then redis.call('ZREM', order, ARGV[k]) end
  end
  for k = putInflightAt, putInflightAt + 2 * nPutInflight - 1, 2 do
    -- A known packet id keeps its place (PUBREC: replaced in place); a new one goes last.
    if redis.call('HSET', inflight, ARGV[k], ARGV[k + 1]) == 1 then
      redis.call('ZADD', order, redis.call('HINCRBY', record, 'p', 1), ARGV[k])
    end
  end
  for k = removeAwaitingAt, removeAwaitingAt + nRemoveAwaiting - 1 do
    redis.call('ZREM', awaiting, ARGV[k])
  end
  for k = addAwaitingAt, addAwaitingAt + nAddAwaiting - 1 do
    if not redis.call('ZSCORE', awaiting, ARGV[k]) then
      redis.call('ZADD', awaiting, redis.call('HINCRBY', record, 'p', 1), ARGV[k])
    end
  end
  if hasRoutes then redis.call('PUBLISH', P .. 'ev', event) end
  if replace then return nil end
  return 0
end

local function sessionDelete()
  local id = nextArg()
  local event = nextArg()
  local existed = redis.call('DEL', P .. 's:' .. id, P .. 'sq:' .. id, P .. 'si:' .. id,
    P .. 'so:' .. id, P .. 'sa:' .. id)
  local routed = redis.call('DEL', P .. 'r:p:' .. id)
  redis.call('DEL', P .. 'in:' .. id)
  redis.call('SREM', P .. 'sessions', id)
  redis.call('SREM', P .. 'r:pc', id)
  if existed > 0 or routed > 0 then redis.call('PUBLISH', P .. 'ev', event) end
end

local function inboxPush()
  local id = nextArg()
  redis.call('RPUSH', P .. 'in:' .. id, nextArg())
  local owner = redis.call('HGET', P .. 'own', id)
  if owner and not notified[owner .. '\\0' .. id] then
    notified[owner .. '\\0' .. id] = true
    redis.call('PUBLISH', P .. 'c:' .. owner, cjson.encode({ t = 'inbox', c = id }))
  end
end

local function claimOwner()
  local id = nextArg()
  local node = nextArg()
  local previous = redis.call('HGET', P .. 'own', id)
  redis.call('HSET', P .. 'own', id, node)
  if previous and previous ~= node then redis.call('SREM', P .. 'own:' .. previous, id) end
  redis.call('SADD', P .. 'own:' .. node, id)
  return previous
end

local function releaseOwner()
  local id = nextArg()
  local node = nextArg()
  if redis.call('HGET', P .. 'own', id) == node then
    redis.call('HDEL', P .. 'own', id)
    redis.call('SREM', P .. 'own:' .. node, id)
  end
end

local function nodeRoute(added)
  local node = nextArg()
  local filter = nextArg()
  if added then
    redis.call('SADD', P .. 'r:n:' .. node, filter)
  else
    redis.call('SREM', P .. 'r:n:' .. node, filter)
  end
  redis.call('PUBLISH', P .. 'ev', cjson.encode({ t = 'n', n = node, f = filter,
    a = added and 1 or 0 }))
end

local function forgetNode()
  local node = nextArg()
  redis.call('DEL', P .. 'r:n:' .. node)
  local owned = redis.call('SMEMBERS', P .. 'own:' .. node)
  for _, id in ipairs(owned) do
    if redis.call('HGET', P .. 'own', id) == node then redis.call('HDEL', P .. 'own', id) end
  end
  local wills = redis.call('HGETALL', P .. 'w:' .. node)
  redis.call('DEL', P .. 'own:' .. node, P .. 'w:' .. node, P .. 'hb:' .. node)
  redis.call('SREM', P .. 'nodes', node)
  redis.call('PUBLISH', P .. 'ev', cjson.encode({ t = 'gone', n = node }))
  return wills
end

local last = #ARGV
while i <= last do
  local op = nextArg()
  if op == 'S' then
    local outcome = sessionWrite()
    if outcome ~= nil then results[#results + 1] = outcome end
  elseif op == 'D' then
    sessionDelete()
  elseif op == 'RS' then
    local topic = nextArg()
    redis.call('HSET', P .. 'ret', topic, nextArg())
  elseif op == 'RD' then
    redis.call('HDEL', P .. 'ret', nextArg())
  elseif op == 'IP' then
    inboxPush()
  elseif op == 'IT' then
    local id = nextArg()
    local count = nextCount()
    if count > 0 then redis.call('LTRIM', P .. 'in:' .. id, count, -1) end
  elseif op == 'CO' then
    results[#results + 1] = claimOwner()
  elseif op == 'RO' then
    releaseOwner()
  elseif op == 'NA' then
    nodeRoute(true)
  elseif op == 'NR' then
    nodeRoute(false)
  elseif op == 'WS' then
    local node = nextArg()
    local id = nextArg()
    redis.call('HSET', P .. 'w:' .. node, id, nextArg())
  elseif op == 'WD' then
    local node = nextArg()
    redis.call('HDEL', P .. 'w:' .. node, nextArg())
  elseif op == 'NG' then
    redis.call('SADD', P .. 'nodes', nextArg())
  elseif op == 'NF' then
    results[#results + 1] = forgetNode()
  else
    return redis.error_reply('ternmq: unknown op ' .. tostring(op))
  end
end

local encoded = cjson.encode(results)
redis.call('SET', txKey, encoded, 'PX', ARGV[3])
return encoded
`;

/**
 * ARGV: prefix, client id. Returns nil when there is no session, else
 * {record hash as a flat field/value list, queued messages, inflight packet ids in the order
 * first sent, their entries in the same order, packet ids awaiting PUBREL in arrival order}.
 */
export const LOAD_SESSION_SCRIPT = `
local P = ARGV[1]
local id = ARGV[2]
local fields = redis.call('HGETALL', P .. 's:' .. id)
if #fields == 0 then return false end
local queued = redis.call('LRANGE', P .. 'sq:' .. id, 0, -1)
local ids = redis.call('ZRANGE', P .. 'so:' .. id, 0, -1)
local entries = {}
local from = 1
while from <= #ids do
  local upTo = math.min(from + 999, #ids)
  local chunk = redis.call('HMGET', P .. 'si:' .. id, unpack(ids, from, upTo))
  for _, entry in ipairs(chunk) do entries[#entries + 1] = entry end
  from = upTo + 1
end
local awaiting = redis.call('ZRANGE', P .. 'sa:' .. id, 0, -1)
return { fields, queued, ids, entries, awaiting }
`;

/** ARGV: prefix. Returns the members of `P nodes` whose heartbeat key exists. */
export const LIVE_NODES_SCRIPT = `
local P = ARGV[1]
local live = {}
for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if redis.call('EXISTS', P .. 'hb:' .. node) == 1 then live[#live + 1] = node end
end
return live
`;
