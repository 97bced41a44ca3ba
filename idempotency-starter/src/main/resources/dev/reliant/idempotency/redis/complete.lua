-- Replaces the in-progress record KEYS[1] held by owner ARGV[1] with the finished record ARGV[2], kept ARGV[3] ms,
-- whether or not its lease had lapsed. A request that lost its claim finds another owner (or nothing) here and
-- changes nothing.
local head = redis.call('GETRANGE', KEYS[1], 0, 33)
if string.sub(head, 2, 2) == 'P' and string.sub(head, 3, 34) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0
