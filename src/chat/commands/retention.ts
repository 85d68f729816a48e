import type { Command } from '../command';
import { retention } from '../../reports/queries/retention';

/** `巩固率`: retention for what the sender is responsible for, and who has no dropouts. */
export const retentionCommand: Command = {
  name: '巩固率',
  aliases: ['流失情况', '无流失'],
  summary: '看负责范围内的巩固率和「无流失生」班级、年级、学校',
  usage: '巩固率 —— 班主任看本班，年级领导看本年级，校领导看全校，教体局看全区',
  run: (ctx) => retention(ctx),
};
