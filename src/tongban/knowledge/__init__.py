"""Knowledge base (知识库) and smart Q&A (智能问答): answers citizens find before they ask."""
