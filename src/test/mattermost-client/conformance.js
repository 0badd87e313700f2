// Mattermost's official JavaScript client (@mattermost/client, pinned in package.json) against FakeMattermost:
// every REST endpoint and WebSocket event the bot uses, driven by Client4 and WebSocketClient exactly as a
// Mattermost web or Node client would. OfficialClientConformanceTest starts the fakes and runs this with
//   node conformance.js '<json: {main: {...}, limited: {...}}>'
// It prints one line per check and closes with "N passed, M failed"; the exit code is 0 only when all passed.
'use strict';

const http = require('node:http');
const assert = require('node:assert/strict');
const WS = require('ws');
const {Client4, WebSocketClient} = require('@mattermost/client');

// WebSocketClient is written for browsers: it reads WebSocket.OPEN and makes CloseEvents. Node 20 has neither.
globalThis.WebSocket = WS;
globalThis.CloseEvent = class CloseEvent {
    constructor(type, init) {
        this.type = type;
        Object.assign(this, init);
    }
};

const config = JSON.parse(process.argv[2]);
const results = [];

async function check(name, fn) {
    try {
        await fn();
        results.push([name, null]);
        console.log(`ok   ${name}`);
    } catch (e) {
        results.push([name, e]);
        console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
    }
}

function client(server, token) {
    const c = new Client4();
    c.setUrl(server.url);
    if (token) {
        c.setToken(token);
    }
    return c;
}

async function rejects(promise, status, id) {
    try {
        await promise;
    } catch (e) {
        assert.equal(e.status_code, status, `status of ${e.message}`);
        if (id) {
            assert.equal(e.server_error_id, id);
        }
        return e;
    }
    throw new Error(`expected an error ${status} ${id || ''}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, test, ms = 10000) {
    const end = Date.now() + ms;
    for (;;) {
        const v = test();
        if (v) {
            return v;
        }
        if (Date.now() > end) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await sleep(10);
    }
}

/**
 * A WebSocketClient that records what it gets. byHeader: the upgrade carries the token (as the bot does, so that a
 * reconnect can resume); otherwise only the authentication challenge authenticates it.
 */
function socket(server, token, byHeader) {
    const ws = new WebSocketClient({
        minWebSocketRetryTime: 100,
        reconnectJitterRange: 0,
        newWebSocketFn: (url) => new WS(url, byHeader ? {headers: {Authorization: `Bearer ${token}`}} : {}),
    });
    const s = {ws, events: [], hellos: [], reconnects: 0, missed: 0, urls: []};
    ws.addMessageListener((msg) => {
        s.events.push(msg);
        if (msg.event === 'hello') {
            s.hellos.push(msg.data.connection_id);
        }
    });
    ws.addReconnectListener(() => s.reconnects++);
    ws.addMissedMessageListener(() => s.missed++);
    const wsUrl = server.url.replace(/^http/, 'ws') + '/api/v4/websocket';
    ws.initialize(wsUrl, token);
    s.event = (what, pred, ms) => until(what, () => s.events.find(pred), ms);
    return s;
}

const posted = (id) => (m) => m.event === 'posted' && JSON.parse(m.data.post).id === id;

async function control(server, path, body) {
    const r = await fetch(`${server.url}/_sim/${path}`, {method: 'POST', body: JSON.stringify(body || {})});
    return r.json();
}

/** The integration a button calls: records what the server sent and answers as an integration does. */
function integration() {
    const calls = [];
    const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c) => {
            body += c;
        });
        req.on('end', () => {
            const call = JSON.parse(body);
            calls.push({headers: req.headers, call});
            res.setHeader('Content-Type', 'application/json');
            res.end(JSON.stringify({
                update: {message: `answered ${call.context.custom_id}`, props: {}},
                ephemeral_text: 'Only the owner can answer.',
            }));
        });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
        calls, server, url: `http://127.0.0.1:${server.address().port}/actions`,
    })));
}

async function main() {
    const m = config.main;
    const bot = client(m, m.bot.token);
    const owner = client(m, m.owner.token);
    let dm;
    let root;
    let reply;

    await check('a request without a token gets 401 session_expired', async () => {
        await rejects(client(m).getMe(), 401, 'api.context.session_expired.app_error');
        await rejects(client(m, 'wrongtoken1234567890abcdef').getMe(), 401, 'api.context.session_expired.app_error');
    });

    await check('GET /users/me names the bot account', async () => {
        const me = await bot.getMe();
        assert.equal(me.id, m.bot.id);
        assert.equal(me.username, m.bot.username);
        assert.equal(me.is_bot, true);
    });

    await check('GET /config/client?format=old gives MaxPostSize and PostEditTimeLimit as strings', async () => {
        const c = await bot.getClientConfig();
        assert.equal(c.MaxPostSize, '16383');
        assert.equal(c.PostEditTimeLimit, '-1');
        assert.equal(c.SiteURL, m.url);
    });

    await check('GET /users/{id}, /users/username/{name}, POST /users/usernames, POST /users/ids', async () => {
        const u = await owner.getUser(m.bot.id);
        assert.equal(u.username, m.bot.username);
        const byName = await bot.getUserByUsername('owner');
        assert.equal(byName.id, m.owner.id);
        assert.equal(byName.first_name, 'Olivia');
        const many = await bot.getProfilesByUsernames(['owner', 'friend', 'nobody']);
        assert.deepEqual(many.map((x) => x.username).sort(), ['friend', 'owner']);
        const byIds = await bot.getProfilesByIds([m.owner.id, 'aaaaaaaaaaaaaaaaaaaaaaaaaa']);
        assert.deepEqual(byIds.map((x) => x.first_name), ['Olivia']);
        await rejects(bot.getUser('aaaaaaaaaaaaaaaaaaaaaaaaaa'), 404);
    });

    await check('GET /users/me/teams, and GET /teams/{id}/members/{id} for a member and for someone in no team', async () => {
        const teams = await bot.getMyTeams();
        assert.deepEqual(teams.map((t) => t.id), [m.teamId]);
        const member = await bot.getTeamMember(m.teamId, m.owner.id);
        assert.equal(member.user_id, m.owner.id);
        assert.equal(member.team_id, m.teamId);
        const loner = await control(m, 'users', {username: 'loner'});
        await rejects(bot.getTeamMember(m.teamId, loner.id), 404, 'app.team.get_member.missing.app_error');
        await rejects(bot.getTeamsForUser(m.owner.id), 403);
    });

    await check('POST /channels/direct makes the DM once and returns it again', async () => {
        dm = await bot.createDirectChannel([m.bot.id, m.owner.id]);
        assert.equal(dm.type, 'D');
        assert.equal(dm.name, [m.bot.id, m.owner.id].sort().join('__'));
        const again = await owner.createDirectChannel([m.owner.id, m.bot.id]);
        assert.equal(again.id, dm.id);
    });

    const ownerWs = socket(m, m.owner.token, true);
    const botWs = socket(m, m.bot.token, false);

    await check('WebSocket: hello with a connection id, by header and by authentication challenge', async () => {
        const h1 = await ownerWs.event('owner hello', (e) => e.event === 'hello');
        const h2 = await botWs.event('bot hello', (e) => e.event === 'hello');
        assert.equal(h1.seq, 0);
        assert.match(h1.data.connection_id, /^[a-z0-9]{26}$/);
        assert.equal(h2.seq, 0);
        assert.notEqual(h1.data.connection_id, h2.data.connection_id);
        assert.equal(h1.broadcast.user_id, m.owner.id);
    });

    await check('WebSocket: ping is answered with pong', async () => {
        const reply = await new Promise((resolve) => botWs.ws.ping(resolve));
        assert.equal(reply.status, 'OK');
        assert.equal(reply.data.text, 'pong');
    });

    await check('POST /posts and the posted event, whose post is a JSON string', async () => {
        root = await bot.createPost({channel_id: dm.id, message: 'a root post'});
        assert.equal(root.channel_id, dm.id);
        assert.equal(root.root_id, '');
        const ev = await ownerWs.event('posted root', posted(root.id));
        assert.equal(typeof ev.data.post, 'string');
        assert.equal(JSON.parse(ev.data.post).message, 'a root post');
        assert.equal(ev.data.channel_type, 'D');
        assert.equal(ev.data.sender_name, '@claude-bot');
        assert.equal(ev.broadcast.channel_id, dm.id);
        await botWs.event('bot sees its own post', posted(root.id));
    });

    await check('a reply in the thread (root_id), and a root_id that is a reply is refused', async () => {
        reply = await bot.createPost({channel_id: dm.id, root_id: root.id, message: 'a reply'});
        assert.equal(reply.root_id, root.id);
        const ev = await ownerWs.event('posted reply', posted(reply.id));
        assert.equal(JSON.parse(ev.data.post).root_id, root.id);
        await rejects(bot.createPost({channel_id: dm.id, root_id: reply.id, message: 'x'}), 400,
            'api.post.create_post.root_id.app_error');
    });

    await check('a post in a channel the author is not in is refused with 403', async () => {
        const other = await owner.createDirectChannel([m.owner.id, m.friend.id]);
        await rejects(bot.createPost({channel_id: other.id, message: 'x'}), 403, 'api.context.permissions.app_error');
    });

    await check('a user mention is announced in the posted event\'s mentions', async () => {
        const p = await owner.createPost({channel_id: dm.id, message: 'hey @claude-bot, and `@owner` in code'});
        const ev = await botWs.event('posted mention', posted(p.id));
        assert.deepEqual(JSON.parse(ev.data.mentions), [m.bot.id]);
    });

    await check('sequence numbers count up by one on every event', async () => {
        for (const s of [ownerWs, botWs]) {
            s.events.forEach((e, i) => assert.equal(e.seq, i));
        }
    });

    await check('PUT /posts/{id}/patch and the post_edited event', async () => {
        const patched = await bot.patchPost({id: reply.id, message: 'an edited reply'});
        assert.equal(patched.message, 'an edited reply');
        assert.ok(patched.edit_at > 0);
        const ev = await ownerWs.event('post_edited', (e) => e.event === 'post_edited'
            && JSON.parse(e.data.post).id === reply.id);
        assert.equal(JSON.parse(ev.data.post).message, 'an edited reply');
        await rejects(owner.patchPost({id: reply.id, message: 'not mine'}), 403);
    });

    await check('GET /posts/{id} and GET /posts/{id}/thread', async () => {
        const p = await owner.getPost(reply.id);
        assert.equal(p.message, 'an edited reply');
        const thread = await bot.getPostThread(root.id);
        assert.deepEqual([...thread.order].sort(), [root.id, reply.id].sort());
        assert.equal(thread.posts[reply.id].root_id, root.id);
        await rejects(bot.getPost('aaaaaaaaaaaaaaaaaaaaaaaaaa'), 404, 'app.post.get.app_error');
    });

    await check('GET /channels/{id}/posts?since= gives the posts changed since then', async () => {
        const list = await bot.getPostsSince(dm.id, root.create_at);
        assert.ok(list.order.includes(reply.id));
        assert.ok(!list.order.includes(root.id), 'the root did not change after its own create_at');
        const all = await bot.getPostsSince(dm.id, 0);
        assert.ok(all.order.includes(root.id));
    });

    await check('POST /reactions, DELETE /users/{id}/posts/{id}/reactions/{emoji} and their events', async () => {
        const r = await bot.addReaction(m.bot.id, root.id, 'hourglass_flowing_sand');
        assert.equal(r.emoji_name, 'hourglass_flowing_sand');
        const added = await ownerWs.event('reaction_added', (e) => e.event === 'reaction_added');
        assert.equal(JSON.parse(added.data.reaction).post_id, root.id);
        await bot.removeReaction(m.bot.id, root.id, 'hourglass_flowing_sand');
        await ownerWs.event('reaction_removed', (e) => e.event === 'reaction_removed');
        await owner.addReaction(m.owner.id, root.id, '+1');
        const ownerReaction = await botWs.event('owner reaction', (e) => e.event === 'reaction_added'
            && JSON.parse(e.data.reaction).user_id === m.owner.id);
        assert.equal(JSON.parse(ownerReaction.data.reaction).emoji_name, '+1');
        await rejects(bot.addReaction(m.bot.id, root.id, '⏳'), 400);
        await rejects(bot.addReaction(m.owner.id, root.id, 'smile'), 403);
    });

    await check('MaxPostSize: 16383 code points pass, one more is the server\'s 400', async () => {
        const full = '🎉'.repeat(16383);
        const p = await bot.createPost({channel_id: dm.id, message: full});
        assert.equal([...p.message].length, 16383);
        await rejects(bot.createPost({channel_id: dm.id, message: full + 'x'}), 400,
            'model.post.is_valid.message_length.app_error');
        await rejects(bot.patchPost({id: p.id, message: full + 'x'}), 400,
            'model.post.is_valid.message_length.app_error');
    });

    await check('PUT /users/{id}/status and PUT /users/me/status/custom', async () => {
        const s = await bot.updateStatus({user_id: m.bot.id, status: 'dnd'});
        assert.equal(s.status, 'dnd');
        const back = await bot.getStatus(m.bot.id);
        assert.equal(back.status, 'dnd');
        const ok = await bot.updateCustomStatus({emoji: 'robot_face', text: '2 sessions working'});
        assert.equal(ok.status, 'OK');
        await rejects(bot.updateStatus({user_id: m.owner.id, status: 'away'}), 403);
    });

    await check('POST /files, then a post with file_ids', async () => {
        const form = new FormData();
        form.append('channel_id', dm.id);
        form.append('files', new Blob([Buffer.from([0, 1, 2, 255])]), 'blob.bin');
        const uploaded = await bot.uploadFile(form);
        const info = uploaded.file_infos[0];
        assert.equal(info.name, 'blob.bin');
        assert.equal(info.size, 4);
        const p = await bot.createPost({channel_id: dm.id, message: 'a file', file_ids: [info.id]});
        assert.deepEqual(p.file_ids, [info.id]);
        assert.equal(p.metadata.files[0].name, 'blob.bin');
        const bytes = await fetch(bot.getFileUrl(info.id), {headers: {Authorization: `Bearer ${m.bot.token}`}});
        assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 255]);
    });

    await check('interactive actions: stored with their integration, stripped for clients, clicked', async () => {
        const hook = await integration();
        try {
            const p = await bot.createPost({
                channel_id: dm.id, root_id: root.id, message: 'May I run ls?', props: {attachments: [{
                    text: '', actions: [
                        {id: 'allow', name: 'Allow', type: 'button', style: 'success',
                            integration: {url: hook.url, context: {custom_id: 'perm:allow:1', secret: 's3'}}},
                        {id: 'pick', name: 'Pick', type: 'select', options: [{text: 'A', value: 'a'}],
                            integration: {url: hook.url, context: {custom_id: 'pick:1', secret: 's3'}}},
                    ]}]},
            });
            const actions = p.props.attachments[0].actions;
            assert.deepEqual(actions.map((a) => a.id), ['allow', 'pick']);
            assert.ok(actions.every((a) => a.integration === undefined), 'integration stripped');
            const answer = await owner.doPostAction(p.id, 'allow');
            assert.equal(answer.status, 'OK');
            assert.equal(hook.calls.length, 1);
            const call = hook.calls[0].call;
            assert.equal(hook.calls[0].headers['content-type'], 'application/json');
            assert.equal(call.user_id, m.owner.id);
            assert.equal(call.user_name, 'owner');
            assert.equal(call.post_id, p.id);
            assert.equal(call.channel_id, dm.id);
            assert.equal(call.type, 'button');
            assert.deepEqual(call.context, {custom_id: 'perm:allow:1', secret: 's3'});
            const edited = await ownerWs.event('action update', (e) => e.event === 'post_edited'
                && JSON.parse(e.data.post).id === p.id);
            assert.equal(JSON.parse(edited.data.post).message, 'answered perm:allow:1');
            const eph = await ownerWs.event('ephemeral', (e) => e.event === 'ephemeral_message');
            assert.equal(JSON.parse(eph.data.post).message, 'Only the owner can answer.');
            const p2 = await bot.createPost({channel_id: dm.id, message: 'pick', props: {attachments: [{actions: [
                {id: 'pick', name: 'Pick', type: 'select', options: [{text: 'A', value: 'a'}],
                    integration: {url: hook.url, context: {custom_id: 'pick:2'}}}]}]}});
            await owner.doPostAction(p2.id, 'pick', 'a');
            assert.equal(hook.calls[1].call.type, 'select');
            assert.deepEqual(hook.calls[1].call.context, {custom_id: 'pick:2', selected_option: 'a'});
        } finally {
            hook.server.close();
        }
    });

    await check('reconnect with connection_id and sequence_number replays the events missed while down', async () => {
        const connection = ownerWs.hellos.at(-1);
        const before = ownerWs.events.length;
        const dropped = await control(m, 'drop-websockets');
        assert.ok(dropped.dropped >= 2);
        const missedA = await bot.createPost({channel_id: dm.id, message: 'while down 1'});
        const missedB = await bot.createPost({channel_id: dm.id, message: 'while down 2'});
        await ownerWs.event('missed A', posted(missedA.id));
        await ownerWs.event('missed B', posted(missedB.id));
        assert.ok(ownerWs.reconnects >= 1);
        assert.equal(ownerWs.missed, 0, 'no missed-message callback: the server resumed');
        assert.equal(ownerWs.hellos.at(-1), connection, 'same connection, no new hello');
        const after = ownerWs.events.slice(before).filter((e) => e.event === 'posted');
        assert.deepEqual(after.map((e) => JSON.parse(e.data.post).id), [missedA.id, missedB.id], 'each exactly once');
        ownerWs.events.forEach((e, i) => assert.equal(e.seq, i, 'the sequence continues across the reconnect'));
    });

    await check('a socket authenticated only by challenge gets a new connection and hello after a drop', async () => {
        await until('bot socket back', () => botWs.hellos.length >= 2);
        assert.notEqual(botWs.hellos[0], botWs.hellos[1]);
        assert.ok(botWs.missed >= 1, 'the client is told it missed events');
    });

    await check('a reconnect the server no longer knows gets a new hello; missed posts come over REST', async () => {
        const hellos = ownerWs.hellos.length;
        await control(m, 'drop-websockets');
        await control(m, 'forget-connections');
        const lost = await bot.createPost({channel_id: dm.id, message: 'lost in the restart'});
        const since = lost.create_at - 1;
        await until('new hello', () => ownerWs.hellos.length > hellos);
        assert.notEqual(ownerWs.hellos.at(-1), ownerWs.hellos[hellos - 1]);
        assert.ok(ownerWs.missed >= 1);
        const list = await owner.getPostsSince(dm.id, since);
        assert.ok(list.order.includes(lost.id));
    });

    ownerWs.ws.close();
    botWs.ws.close();

    const l = config.limited;
    const limitedBot = client(l, l.bot.token);

    await check('rate limiting: X-Ratelimit-* headers, then 429 with the server\'s body', async () => {
        const url = `${l.url}/api/v4/users/me`;
        const first = await limitedBot.doFetchWithResponse(url, {method: 'get'});
        assert.equal(first.headers.get('X-Ratelimit-Limit'), '101');
        assert.ok(Number(first.headers.get('X-Ratelimit-Remaining')) >= 90);
        assert.ok(first.headers.has('X-Ratelimit-Reset'));
        const burst = await Promise.all(Array.from({length: 130},
            () => limitedBot.doFetchWithResponse(url, {method: 'get', ignoreStatus: true})));
        const refused = burst.filter((r) => r.response.status === 429);
        assert.ok(refused.length >= 20, `429s: ${refused.length}`);
        assert.equal(refused[0].data, 'limit exceeded\n');
        assert.equal(refused[0].headers.get('X-Ratelimit-Remaining'), '0');
        assert.ok(Number(refused[0].headers.get('Retry-After')) >= 1);
        await sleep(1100);
        const again = await limitedBot.getMe();
        assert.equal(again.id, l.bot.id);
    });

    await check('PostEditTimeLimit: in config/client, and an edit past it is the server\'s 400', async () => {
        const c = await limitedBot.getClientConfig();
        assert.equal(c.PostEditTimeLimit, '60');
        const ch = await limitedBot.createDirectChannel([l.bot.id, l.owner.id]);
        const p = await limitedBot.createPost({channel_id: ch.id, message: 'soon too old'});
        await limitedBot.patchPost({id: p.id, message: 'still fine'});
        await control(l, 'age', {post_id: p.id, seconds: 120});
        await rejects(limitedBot.patchPost({id: p.id, message: 'too late'}), 400,
            'api.post.update_post.permissions_time_limit.app_error');
    });

    const failed = results.filter(([, e]) => e).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
    console.log(`FAIL conformance script: ${e && e.stack ? e.stack : e}`);
    process.exit(2);
});
