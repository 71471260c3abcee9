// The official openai npm client against a greenroute gateway:
//   node openai_client.mjs BASE_URL MODEL      (BASE_URL like http://127.0.0.1:8080/v1)
// Runs completions and chat, non-streaming and streaming, a per-request
// policy, and a bad policy (which must be an APIError with status 400).
// Prints one JSON line with what it saw; exits 1 at the first failure.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
if (!baseURL || !model) {
  console.error("usage: node openai_client.mjs BASE_URL MODEL");
  process.exit(2);
}
const client = new OpenAI({ baseURL, apiKey: "unused", maxRetries: 0, timeout: 60_000 });
const seen = {};

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function main() {
  // Completions, whole body; the raw response gives the gateway's headers.
  const { data: c, response } = await client.completions
    .create({ model, prompt: "Hello, world", max_tokens: 8, temperature: 0 })
    .withResponse();
  check(typeof c.choices[0].text === "string", "completion text");
  check(typeof c.usage.node === "string" && c.usage.node.length > 0, "usage.node");
  check("energy_joules" in c.usage && "carbon_grams" in c.usage, "usage cost fields");
  check(response.headers.get("x-greenroute-policy") !== null, "X-Greenroute-Policy header");
  seen.completion = { node: c.usage.node, policy: response.headers.get("x-greenroute-policy") };

  // Completions, streamed.
  let text = "";
  let chunks = 0;
  const stream = await client.completions.create({ model, prompt: "Once upon", max_tokens: 8, stream: true });
  for await (const chunk of stream) {
    chunks += 1;
    if (chunk.choices && chunk.choices.length > 0) text += chunk.choices[0].text ?? "";
  }
  check(chunks > 0, "completion stream chunks");
  seen.completion_stream = { chunks, chars: text.length };

  // Chat, whole body, with a per-request policy in the body's greenroute field.
  const chat = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Say hi" }],
    max_tokens: 8,
    greenroute: { policy: "latency-aware" },
  });
  check(chat.choices[0].message.role === "assistant", "chat message role");
  check(typeof chat.choices[0].message.content === "string", "chat content");
  check(chat.greenroute && chat.greenroute.policy === "latency-aware", "per-request policy applied");
  seen.chat = { node: chat.usage.node, policy: chat.greenroute.policy };

  // Chat, streamed, with the usage chunk.
  let usage = null;
  let deltas = 0;
  const chatStream = await client.chat.completions.create({
    model,
    messages: [{ role: "user", content: "Count" }],
    max_tokens: 8,
    stream: true,
    stream_options: { include_usage: true },
  });
  for await (const chunk of chatStream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices && chunk.choices.length > 0) deltas += 1;
  }
  check(deltas > 0, "chat stream deltas");
  check(usage !== null && typeof usage.node === "string", "chat stream usage with node");
  seen.chat_stream = { deltas, node: usage.node };

  // A bad policy: a 400 the client surfaces as BadRequestError.
  try {
    await client.completions.create({ model, prompt: "x", max_tokens: 1, greenroute: { policy: "nope" } });
    throw new Error("check failed: a bad policy was accepted");
  } catch (e) {
    check(e instanceof OpenAI.APIError && e.status === 400, `bad policy gives 400 (got ${e.status ?? e})`);
    seen.bad_policy = { status: e.status };
  }

  // The model list.
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  check(models.includes(model), "model listed");
  seen.models = models;
  console.log(JSON.stringify({ ok: true, seen }));
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack ? e.stack : e), seen }));
  process.exit(1);
});
