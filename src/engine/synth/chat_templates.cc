// Chat templates per family, written to produce the same prompt text as the
// real models' templates for plain system/user/assistant conversations (tool
// calling sections of the originals are left out).
#include "synth/vocab_builder.h"

namespace greenroute::engine::synth {

namespace {

std::string chatml(const std::string& default_system) {
  return "{%- for message in messages %}"
         "{%- if loop.first and message['role'] != 'system' %}"
         "{{- '<|im_start|>system\\n" + default_system + "<|im_end|>\\n' }}"
         "{%- endif %}"
         "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
         "{%- endfor %}"
         "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";
}

}  // namespace

std::string chat_template_for(VocabFamily family) {
  switch (family) {
    case VocabFamily::kQwen2:
      return chatml("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.");
    case VocabFamily::kSmolLm:
      return chatml("You are a helpful AI assistant named SmolLM, trained by Hugging Face");
    case VocabFamily::kLlama3:
      return "{{- bos_token }}"
             "{%- if messages[0]['role'] == 'system' %}"
             "{%- set system_message = messages[0]['content'] | trim %}"
             "{%- set messages = messages[1:] %}"
             "{%- else %}{%- set system_message = '' %}{%- endif %}"
             "{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' }}"
             "{{- 'Cutting Knowledge Date: December 2023\\nToday Date: 26 Jul 2024\\n\\n' }}"
             "{{- system_message + '<|eot_id|>' }}"
             "{%- for message in messages %}"
             "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + "
             "(message['content'] | trim) + '<|eot_id|>' }}"
             "{%- endfor %}"
             "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";
    case VocabFamily::kLlama2:
      // TinyLlama-Chat's Zephyr-style template.
      return "{%- for message in messages %}"
             "{{- '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' }}"
             "{%- endfor %}"
             "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}";
  }
  return {};
}

}  // namespace greenroute::engine::synth
