-- Drives `plat lsp` from a real editor: headless Neovim (Debian's 0.7.2 and later).
--
--   PLAT_BIN=target/debug/plat nvim --headless -u NONE -i NONE -n \
--     -c "luafile tests/editor/neovim.lua"
--
-- Environment:
--   PLAT_BIN      the `plat` binary to run as `plat lsp` (required)
--   PLAT_EXAMPLE  the project to open (default: examples/shop, relative to the cwd)
--   PLAT_RESULTS  a file to write the results to, one check per line (optional)
--   PLAT_DOCS     the documentation holding the configuration (default: docs/editors.md)
--
-- It copies the example to a temporary directory, runs the Neovim configuration of
-- docs/editors.md as written (`vim.lsp.start_client` on 0.7, `vim.lsp.start` on 0.8 and
-- later), opens a workload, waits for diagnostics, breaks and mends the buffer, and asks
-- for hover, definition, references and completion, checking every answer.
-- Exits 0 when every check passes, 1 otherwise.

local TIMEOUT = 15000 -- ms, for each wait

local results = {}
local failures = 0

local function log(line)
  io.stderr:write(line .. '\n')
  table.insert(results, line)
end

local function check(name, ok, detail)
  if ok then
    log('ok   ' .. name)
  else
    failures = failures + 1
    log('FAIL ' .. name .. (detail and (': ' .. detail) or ''))
  end
  return ok
end

local function finish()
  local path = os.getenv('PLAT_RESULTS')
  if path and path ~= '' then
    local file = io.open(path, 'w')
    if file then
      file:write(table.concat(results, '\n') .. '\n')
      file:close()
    end
  end
  for _, client in pairs(vim.lsp.get_active_clients()) do
    client.stop()
  end
  if failures == 0 then
    io.stderr:write('neovim: all checks passed\n')
    vim.cmd('qall!')
  else
    io.stderr:write(('neovim: %d check(s) failed\n'):format(failures))
    vim.cmd('cquit 1')
  end
end

-- The LSP position (ASCII text, so bytes = UTF-16 units) of the first occurrence of
-- `needle` in the buffer, plus `shift` columns.
local function position(bufnr, needle, shift)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for row, line in ipairs(lines) do
    local col = line:find(needle, 1, true)
    if col then
      return { line = row - 1, character = col - 1 + (shift or 0) }
    end
  end
  error('not in the buffer: ' .. needle)
end

local function main()
  local bin = os.getenv('PLAT_BIN')
  assert(bin and bin ~= '', 'set PLAT_BIN to the plat binary')
  assert(vim.fn.executable(bin) == 1, 'not executable: ' .. bin)
  local example = vim.fn.fnamemodify(os.getenv('PLAT_EXAMPLE') or 'examples/shop', ':p')
  example = example:gsub('/$', '')

  vim.o.swapfile = false
  vim.o.hidden = true

  -- A copy, so that nothing the editor does can touch the repository.
  local root = vim.fn.tempname() .. '-plat-shop'
  vim.fn.mkdir(root, 'p')
  vim.fn.system({ 'cp', '-R', example .. '/.', root })
  assert(vim.v.shell_error == 0, 'cannot copy ' .. example)
  root = vim.loop.fs_realpath(root)

  -- Every publishDiagnostics, in order, then Neovim's own handler.
  local published = {}
  local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    table.insert(published, result)
    return publish(err, result, ctx, config)
  end

  -- The configuration docs/editors.md gives for this Neovim, run as written: the block
  -- with `vim.lsp.start` on 0.8 and later, the one with `vim.lsp.start_client` on 0.7.
  -- It runs `plat` from PATH: put PLAT_BIN there under that name.
  local docs_path = os.getenv('PLAT_DOCS') or 'docs/editors.md'
  local docs = table.concat(vim.fn.readfile(docs_path), '\n')
  local wanted = vim.lsp.start and 'vim.lsp.start(' or 'vim.lsp.start_client('
  local snippet
  for code in docs:gmatch('```lua\n(.-)\n```') do
    if code:find(wanted, 1, true) then
      snippet = code
    end
  end
  assert(snippet, docs_path .. ' has no Neovim configuration with ' .. wanted)
  local bindir = vim.fn.tempname() .. '-bin'
  vim.fn.mkdir(bindir, 'p')
  assert(vim.loop.fs_symlink(vim.fn.fnamemodify(bin, ':p'), bindir .. '/plat'))
  vim.env.PATH = bindir .. ':' .. vim.env.PATH
  assert(loadstring(snippet, '=' .. docs_path))()
  log('ok   ran the configuration of ' .. docs_path .. ' (' .. wanted .. '...)')

  local path = root .. '/workloads/orders-worker.plat'
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  check('filetype is plat', vim.bo[bufnr].filetype == 'plat', vim.bo[bufnr].filetype)

  local function plat_client()
    local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
    for _, c in pairs(clients) do
      if c.name == 'plat' and c.server_capabilities and c.initialized ~= false then
        return c
      end
    end
  end
  local up = vim.wait(TIMEOUT, function() return plat_client() ~= nil end, 20)
  if not check('server initialized', up, 'no answer to initialize (see the LSP log: ' .. vim.lsp.get_log_path() .. ')') then
    return
  end
  local client = plat_client()
  check('buffer attached', vim.lsp.buf_is_attached(bufnr, client.id))
  check('server runs in the project root', client.config.root_dir == root,
    vim.inspect({ client.config.root_dir, root }))
  local uri = vim.uri_from_bufnr(bufnr)
  local caps = client.server_capabilities or client.resolved_capabilities or {}
  check('server advertises hover', caps.hoverProvider ~= nil or caps.hover == true)

  -- Diagnostics on open: the example is clean.
  local function published_for(from)
    for i = #published, from + 1, -1 do
      if published[i].uri == uri then
        return published[i]
      end
    end
  end
  local got = vim.wait(TIMEOUT, function() return published_for(0) ~= nil end, 20)
  if check('diagnostics published on open', got, 'nothing for ' .. uri .. ' in ' .. vim.inspect(published)) then
    local errors = vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR })
    check('no errors in the example', #errors == 0, vim.inspect(errors))
  end

  -- Break the buffer (unsaved): an error appears, with the compiler's suggestion.
  local seen = #published
  local start = position(bufnr, '${db.host}', 5)
  vim.api.nvim_buf_set_text(bufnr, start.line, start.character, start.line, start.character + 4, { 'hots' })
  local broken
  got = vim.wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.message:find('hots', 1, true) then
        broken = d
        return true
      end
    end
    return false
  end, 20)
  if check('diagnostic for an edit', got, vim.inspect(published[#published])) then
    check('diagnostic is an error', broken.severity == vim.diagnostic.severity.ERROR, vim.inspect(broken))
    check('diagnostic at the typo', broken.lnum == start.line and broken.col == start.character, vim.inspect(broken))
    check('diagnostic suggests a fix', broken.message:find('did you mean', 1, true) ~= nil, broken.message)
    check('diagnostic from plat', broken.source == 'plat', vim.inspect(broken.source))
    local last = published_for(seen)
    check('diagnostics carry the version', last and last.version == vim.lsp.util.buf_versions[bufnr],
      vim.inspect({ last and last.version, vim.lsp.util.buf_versions[bufnr] }))
  end

  -- Mend it: the error goes away.
  vim.api.nvim_buf_set_text(bufnr, start.line, start.character, start.line, start.character + 4, { 'host' })
  got = vim.wait(TIMEOUT, function()
    return #vim.diagnostic.get(bufnr, { severity = vim.diagnostic.severity.ERROR }) == 0
  end, 20)
  check('diagnostics cleared after the fix', got, vim.inspect(vim.diagnostic.get(bufnr)))

  local function request(method, params)
    local response, err = client.request_sync(method, params, TIMEOUT, bufnr)
    if not response then
      return nil, tostring(err)
    end
    if response.err then
      return nil, vim.inspect(response.err)
    end
    return response.result
  end
  local function at(needle, shift)
    return { textDocument = { uri = uri }, position = position(bufnr, needle, shift) }
  end
  local function hover_text(result)
    if not result or not result.contents then
      return ''
    end
    local lines = vim.lsp.util.convert_input_to_markdown_lines(result.contents)
    return table.concat(lines, '\n')
  end

  -- Hover: an offering's API; a workload's doc comment, from another file; a field's doc.
  local result, err = request('textDocument/hover', at('db: postgres', 5))
  local text = hover_text(result)
  check('hover on an offering shows its API',
    text:find('offering postgres', 1, true) and text:find('output host', 1, true), err or text)
  result, err = request('textDocument/hover', at('calls = [payments-api]', 12))
  text = hover_text(result)
  check('hover on a workload shows its doc comment',
    text:find('payments-api', 1, true) and text:find('authorises and captures card payments', 1, true),
    err or text)
  result, err = request('textDocument/hover', at('replicas', 2))
  text = hover_text(result)
  check('hover on a field shows its type and doc',
    text:find('replicas: int', 1, true) and text:find('How many copies', 1, true), err or text)

  -- Definition: the declaring file.
  result, err = request('textDocument/definition', at('calls = [payments-api]', 12))
  local location = result and (result.uri and result or result[1])
  local target = location and (location.uri or location.targetUri)
  check('definition in the declaring file',
    target and vim.endswith(target, '/workloads/payments-api.plat'), err or vim.inspect(result))
  if target then
    local range = location.range or location.targetSelectionRange
    check('definition at the declaration', range and range.start.line == 4, vim.inspect(location))
  end

  -- References: across files.
  local params = at('calls = [payments-api]', 12)
  params.context = { includeDeclaration = true }
  result, err = request('textDocument/references', params)
  local files = {}
  for _, ref in ipairs(result or {}) do
    files[#files + 1] = vim.fn.fnamemodify(vim.uri_to_fname(ref.uri), ':t')
  end
  check('references: at least two', #files >= 2, err or vim.inspect(files))
  check('references: across files',
    vim.tbl_contains(files, 'checkout-api.plat') and vim.tbl_contains(files, 'payments-api.plat'),
    vim.inspect(files))

  -- Completion: the outputs of a resource after `db.`; offerings after `db: `.
  local function labels(r)
    local items = r and (r.items or r) or {}
    local out = {}
    for _, item in ipairs(items) do
      out[#out + 1] = item.label
    end
    return out
  end
  params = at('${db.host}', 5)
  params.context = { triggerKind = 2, triggerCharacter = '.' }
  result, err = request('textDocument/completion', params)
  local names = labels(result)
  check('completion lists the outputs after db.',
    vim.tbl_contains(names, 'host') and vim.tbl_contains(names, 'password'), err or vim.inspect(names))
  result, err = request('textDocument/completion', at('db: postgres', 4))
  names = labels(result)
  check('completion lists offerings after db:',
    vim.tbl_contains(names, 'postgres') and vim.tbl_contains(names, 'queue'), err or vim.inspect(names))
end

local ok, err = xpcall(main, debug.traceback)
if not ok then
  failures = failures + 1
  log('FAIL error: ' .. tostring(err))
end
finish()
